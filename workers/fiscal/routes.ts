import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerGetCsd } from "./get-csd.ts";
import { registerGetFiscalProfile } from "./get-fiscal-profile.ts";
import { registerPutFiscalProfile } from "./put-fiscal-profile.ts";
import { registerPutPac } from "./put-pac.ts";
import { registerUploadCsd } from "./upload-csd.ts";

export function registerFiscalRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerGetFiscalProfile(app);
  registerPutFiscalProfile(app);
  registerGetCsd(app);
  registerUploadCsd(app);
  registerPutPac(app);
}
