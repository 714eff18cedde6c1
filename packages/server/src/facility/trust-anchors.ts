import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

/** Files read from HSSK_TRUSTED_CA_DIR; anything else (a README, a key) is left alone. */
const CERT_EXTENSIONS = new Set(['.pem', '.crt', '.cer', '.der', '.cert']);
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Root → intermediates → leaf; national PKI chains are two or three deep. */
const MAX_DEPTH = 6;

/**
 * The CA certificates an operator installed (e.g. the national digital-signature root CAs and the
 * intermediates of the signing-service providers). Read on every use, not cached: an operator who
 * removes a CA expects the next approval to see it gone. A broken file is an error, not skipped:
 * a silently smaller trust list would hide the mistake.
 */
export function loadTrustAnchors(dir: string): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name.startsWith('.') || !CERT_EXTENSIONS.has(extname(name).toLowerCase()) || !statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    const blocks = bytes.toString('latin1').match(PEM_BLOCK);
    try {
      if (blocks) for (const b of blocks) out.push(new X509Certificate(b));
      else out.push(new X509Certificate(bytes));
    } catch {
      throw new Error(`HSSK_TRUSTED_CA_DIR: ${path} is not an X.509 certificate (PEM or DER)`);
    }
  }
  return out;
}

/** Start-up check: a configured directory that holds no CA would silently refuse every approval. */
export function checkTrustAnchorDir(dir: string): number {
  const n = loadTrustAnchors(dir).length;
  if (n === 0) throw new Error(`HSSK_TRUSTED_CA_DIR: no certificate (.pem, .crt, .cer, .der) in ${dir}`);
  return n;
}

export type ChainResult = { ok: true; path: string[] } | { ok: false; reason_vi: string; reason_en: string };

const validAt = (c: X509Certificate, at: Date) => Date.parse(c.validFrom) <= at.getTime() && at.getTime() <= Date.parse(c.validTo);
const selfSigned = (c: X509Certificate) => c.checkIssued(c) && c.verify(c.publicKey);

/**
 * Whether `leaf` chains to a self-signed root among `anchors` (intermediates may be there too),
 * every certificate on the way being valid at `at` and every issuer a CA (basicConstraints).
 * An installed intermediate is a stepping stone, not an anchor: trust ends at a root.
 */
export function chainToAnchors(leaf: X509Certificate, anchors: readonly X509Certificate[], at = new Date()): ChainResult {
  if (!validAt(leaf, at)) {
    return { ok: false, reason_vi: 'Chứng thư số chưa đến hạn hoặc đã hết hạn.', reason_en: 'The certificate is not valid at this time.' };
  }
  const walk = (cur: X509Certificate, path: string[], seen: Set<string>): string[] | undefined => {
    if (path.length > MAX_DEPTH) return undefined;
    for (const issuer of anchors) {
      const fp = issuer.fingerprint256;
      if (seen.has(fp) || !issuer.ca || !validAt(issuer, at)) continue;
      if (!cur.checkIssued(issuer) || !cur.verify(issuer.publicKey)) continue;
      const next = [...path, issuer.subject];
      if (selfSigned(issuer)) return next;
      const found = walk(issuer, next, new Set([...seen, fp]));
      if (found) return found;
    }
    return undefined;
  };
  // A root the operator installed is trusted as itself (e.g. a facility's own test CA).
  if (selfSigned(leaf) && anchors.some((a) => a.raw.equals(leaf.raw))) return { ok: true, path: [leaf.subject] };
  const path = walk(leaf, [leaf.subject], new Set([leaf.fingerprint256]));
  if (path) return { ok: true, path };
  return {
    ok: false,
    reason_vi: 'Chứng thư số không được cấp bởi tổ chức chứng thực (CA) mà hệ thống tin cậy.',
    reason_en: 'The certificate does not chain to a trusted certificate authority.',
  };
}
