/**
 * The origin for URLs the API hands out to be opened from outside (public proposal links, WhatsApp
 * webhook URLs): PUBLIC_BASE_URL when configured (production), else the origin the API was called on.
 */
export function publicOrigin(publicBaseUrl: string | undefined, requestUrl: string): string {
  return (publicBaseUrl ?? new URL(requestUrl).origin).replace(/\/+$/, "");
}
