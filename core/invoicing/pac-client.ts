/**
 * The PAC behind one interface (issue 13). Every provider — the in-process sandbox, Finkok (SOAP),
 * SW Sapien (REST) — is a PacClient; the invoicing flow never knows which one it talks to.
 * Runtime-free: adapters take `fetch` as a parameter, so they run in Workers and in plain Node.
 */
import type { CancelMotivo } from "./invoice-status.ts";

export type { CancelMotivo };

/** A stamped CFDI as the PAC returned it. */
export interface PacStamp {
  /** The stamped CFDI, byte for byte as the PAC returned it (with the TimbreFiscalDigital inside). */
  xml: string;
  uuid: string;
  fechaTimbrado: string;
  noCertificadoSat: string;
  selloSat: string;
  /**
   * True when the PAC said the CFDI was already stamped (Finkok 307, SW's duplicate) and this is the
   * earlier stamp, recovered — the invoice was not stamped twice.
   */
  recovered: boolean;
}

/**
 * How a PAC call failed, which decides what the invoicing flow does next:
 * - `rejected`: the PAC refused the CFDI or the request (its validation codes: 301 sello, 302 sello
 *   mal formado, 305 fecha, 401 fecha fuera de rango, 402 RFC no existe en LCO, CFDI40xxx …). Permanent:
 *   the invoice becomes `stamp_failed` with the PAC's code and message.
 * - `credentials`: the account's PAC user, password or token was refused. Permanent until fixed.
 * - `unavailable`: 5xx, timeout, connection refused, a body that is not the service's shape.
 *   Transient: retried with backoff, and a retry sends the same sealed XML so a stamp that did
 *   happen is recovered (see `recovered`).
 */
export type PacFailureKind = "rejected" | "credentials" | "unavailable";

export class PacError extends Error {
  override readonly name = "PacError";
  readonly kind: PacFailureKind;
  /** The PAC's own code ("301", "CFDI40102", "205" …) when it gave one. */
  readonly pacCode: string | undefined;

  /** `message` is Spanish, for the account's users (it becomes the invoice's `error.detail`). */
  constructor(kind: PacFailureKind, message: string, pacCode?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.pacCode = pacCode;
  }
}

export interface CancelRequest {
  uuid: string;
  emisorRfc: string;
  receptorRfc: string;
  /** The CFDI's Total attribute, exactly as written in its XML. */
  total: string;
  motivo: CancelMotivo;
  /** Required with motivo 01: the UUID of the CFDI that replaces this one. */
  folioSustitucion?: string;
  /** The emisor's CSD: the certificate (DER) and its private key (unencrypted PKCS#8 DER). */
  csd: { certificateDer: Uint8Array; privateKeyPkcs8: Uint8Array };
}

/**
 * What a cancel request achieved: `cancelled` (SAT cancelled it, no acceptance needed), or
 * `pending` (the receptor must accept; poll `status` until final). `acuse` is the PAC's
 * acknowledgement XML when it returned one.
 */
export interface CancelOutcome {
  status: "cancelled" | "pending";
  acuse?: string;
  /** The SAT/PAC code for this UUID (201 solicitud recibida, 202 previamente cancelado …). */
  code?: string;
}

export interface StatusQuery {
  uuid: string;
  emisorRfc: string;
  receptorRfc: string;
  total: string;
}

/** SAT's answer about a CFDI (the ConsultaCFDI service, through the PAC). */
export interface SatStatus {
  /** Estado: "Vigente", "Cancelado" or "No Encontrado". */
  estado: "Vigente" | "Cancelado" | "No Encontrado";
  /** EsCancelable: "Cancelable sin aceptación", "Cancelable con aceptación", "No cancelable". */
  esCancelable?: string;
  /** EstatusCancelacion: "", "En proceso", "Plazo vencido", "Cancelado con aceptación", "Cancelado sin aceptación", "Solicitud rechazada". */
  estatusCancelacion?: string;
}

export interface PacClient {
  readonly provider: "sandbox" | "finkok" | "sw";
  /**
   * Stamps a sealed CFDI 4.0. Sending the same sealed XML again (a retry after a timeout) must not
   * stamp it twice: the adapter turns the PAC's "already stamped" answer into the earlier stamp,
   * with `recovered: true`. Throws PacError.
   */
  stamp(sealedXml: string): Promise<PacStamp>;
  /** Asks SAT, through the PAC, to cancel a stamped CFDI. Throws PacError. */
  cancel(request: CancelRequest): Promise<CancelOutcome>;
  /** SAT's status of a CFDI: used to follow a `pending` cancellation until it is final. Throws PacError. */
  status(query: StatusQuery): Promise<SatStatus>;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;
