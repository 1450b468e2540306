/**
 * One shape for every problem the engine reports to a user: where (`path`, a JSON-pointer-like
 * path into the invoice input or the XML), what (`code`, stable, for programs) and a Spanish
 * message for the person fixing it.
 */

export type Issue = {
  readonly path: string;
  readonly code: string;
  readonly message: string;
};

export class CfdiError extends Error {
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[]) {
    super(issues.map((i) => `${i.path ? `${i.path}: ` : ""}${i.message} [${i.code}]`).join("\n"));
    this.name = "CfdiError";
    this.issues = issues;
  }
  get code(): string {
    return this.issues[0]?.code ?? "CFDI_ERROR";
  }
}

export function fail(code: string, message: string, path = ""): never {
  throw new CfdiError([{ path, code, message }]);
}
