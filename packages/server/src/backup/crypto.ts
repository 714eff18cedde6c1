import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DomainError } from '@openhssk/core';

/**
 * The encrypted container of a backup file.
 *
 *   "HSSKBAK1" | u32 BE preamble length | preamble JSON (KDF parameters, salt, nonce prefix, key check)
 *   frame*     : u32 BE ciphertext length | ciphertext | 16-byte GCM tag
 *
 * The gzip stream of the dump is cut into frames of at most FRAME_BYTES, each sealed with AES-256-GCM
 * under nonce = 7-byte random prefix | u32 frame counter | final flag, with the whole preamble as
 * additional data (the STREAM construction of age / Tink). So every frame is authenticated before a
 * byte of it is decompressed, frames cannot be reordered, dropped or spliced from another file, a
 * changed KDF parameter fails the first frame, and a file cut at a frame boundary lacks the final
 * flag. One GCM tag over the whole file would only be checked after everything had been restored.
 */

export const MAGIC = Buffer.from('HSSKBAK1', 'ascii');
export const FRAME_BYTES = 1024 * 1024;
const TAG_BYTES = 16;
const NONCE_PREFIX_BYTES = 7;
const KEY_CHECK_LABEL = 'openhssk backup key check v1';
/** A longer preamble than this is not one we wrote; refusing it bounds memory on a hostile file. */
const MAX_PREAMBLE_BYTES = 4096;

/** scrypt N = 2^17, r = 8: 128 MiB and about half a second per derivation, once per file. */
export const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 } as const;
const KDF_LIMITS = { maxN: 2 ** 20, maxR: 16, maxP: 4 };

interface Preamble {
  container: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  frame_bytes: number;
  nonce_prefix: string;
  /** HMAC of a fixed label under the key: tells a wrong passphrase apart from a damaged file. */
  key_check: string;
}

export const authFailed = () =>
  new DomainError(
    'unprocessable',
    'BACKUP_DAMAGED',
    'Tệp sao lưu đã bị thay đổi hoặc bị hỏng (kiểm tra xác thực thất bại); không dùng được tệp này.',
    'The backup file was changed or is damaged (authentication failed); it cannot be used.',
  );
export const wrongPassphrase = () =>
  new DomainError(
    'unauthenticated',
    'BACKUP_WRONG_PASSPHRASE',
    'Sai mật khẩu của tệp sao lưu (hoặc phần đầu của tệp đã bị sửa).',
    "Wrong backup passphrase (or the file's preamble was changed).",
  );
export const truncated = () =>
  new DomainError(
    'unprocessable',
    'BACKUP_TRUNCATED',
    'Tệp sao lưu bị cắt cụt (thiếu phần cuối); không dùng được tệp này.',
    'The backup file is truncated (its end is missing); it cannot be used.',
  );
const notBackup = () =>
  new DomainError('unprocessable', 'BACKUP_NOT_A_BACKUP', 'Đây không phải tệp sao lưu OpenHSSK.', 'This is not an OpenHSSK backup file.');

function deriveKey(passphrase: string, salt: Buffer, kdf: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize('NFC'), salt, 32, { ...kdf, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const keyCheck = (key: Buffer) => createHmac('sha256', key).update(KEY_CHECK_LABEL).digest().subarray(0, 16);

function nonce(prefix: Buffer, counter: number, final: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, NONCE_PREFIX_BYTES);
  n[11] = final ? 1 : 0;
  return n;
}

/** Derives the key (scrypt, random salt) and returns a stream that seals what is written to it. */
export async function encryptingStream(passphrase: string, kdf: { N: number; r: number; p: number } = DEFAULT_KDF): Promise<Transform> {
  const salt = randomBytes(16);
  const prefix = randomBytes(NONCE_PREFIX_BYTES);
  const key = await deriveKey(passphrase, salt, kdf);
  const preamble: Preamble = {
    container: 1,
    kdf: { name: 'scrypt', ...kdf, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    frame_bytes: FRAME_BYTES,
    nonce_prefix: prefix.toString('base64'),
    key_check: keyCheck(key).toString('base64'),
  };
  const json = Buffer.from(JSON.stringify(preamble), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  const aad = Buffer.concat([MAGIC, len, json]);

  let counter = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const seal = (plain: Buffer, final: boolean): Buffer => {
    if (counter >= 0xffffffff) throw new Error('backup too large for one file (2^32 frames)');
    const c = createCipheriv('aes-256-gcm', key, nonce(prefix, counter++, final));
    c.setAAD(aad);
    const body = Buffer.concat([c.update(plain), c.final()]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    return Buffer.concat([head, body, c.getAuthTag()]);
  };
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        if (!started) {
          this.push(aad);
          started = true;
        }
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes > FRAME_BYTES) {
          let all = Buffer.concat(pending);
          while (all.length > FRAME_BYTES) {
            this.push(seal(all.subarray(0, FRAME_BYTES), false));
            all = all.subarray(FRAME_BYTES);
          }
          pending = [all];
          pendingBytes = all.length;
        }
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        if (!started) this.push(aad);
        this.push(seal(Buffer.concat(pending), true));
        pending = [];
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
}

function parsePreamble(json: Buffer): Preamble {
  let p: Preamble;
  try {
    p = JSON.parse(json.toString('utf8')) as Preamble;
  } catch {
    throw notBackup();
  }
  const k = p?.kdf;
  const ok =
    p?.container === 1 &&
    p.cipher === 'aes-256-gcm' &&
    k?.name === 'scrypt' &&
    Number.isInteger(k.N) && k.N >= 2 ** 14 && k.N <= KDF_LIMITS.maxN && (k.N & (k.N - 1)) === 0 &&
    Number.isInteger(k.r) && k.r >= 1 && k.r <= KDF_LIMITS.maxR &&
    Number.isInteger(k.p) && k.p >= 1 && k.p <= KDF_LIMITS.maxP &&
    typeof k.salt === 'string' &&
    p.frame_bytes === FRAME_BYTES &&
    typeof p.nonce_prefix === 'string' && Buffer.from(p.nonce_prefix, 'base64').length === NONCE_PREFIX_BYTES &&
    typeof p.key_check === 'string';
  if (!ok) throw notBackup();
  return p;
}

/**
 * A stream that opens what `encryptingStream` sealed: it emits a frame's plaintext only after the
 * frame's tag verified, and fails on a wrong passphrase, a changed byte, a missing or extra frame.
 */
export function decryptingStream(passphrase: string): Transform {
  let buf: Buffer = Buffer.alloc(0);
  let aad: Buffer | null = null;
  let key: Buffer | null = null;
  let prefix: Buffer | null = null;
  let counter = 0;
  let finished = false;

  const openFrames = (push: (b: Buffer) => void) => {
    while (buf.length >= 4) {
      if (finished) throw authFailed(); // bytes after the final frame: appended or spliced
      const len = buf.readUInt32BE(0);
      if (len > FRAME_BYTES) throw authFailed();
      if (buf.length < 4 + len + TAG_BYTES) return;
      const body = buf.subarray(4, 4 + len);
      const tag = buf.subarray(4 + len, 4 + len + TAG_BYTES);
      // Every frame but the last carries exactly FRAME_BYTES; a full frame may still be the last one.
      // The flag is authenticated through the nonce, so guessing it wrong only fails the tag.
      const plain = tryOpen(body, tag, len === FRAME_BYTES ? [false, true] : [true]);
      if (!plain) throw authFailed();
      push(plain.data);
      if (plain.final) finished = true;
      counter++;
      buf = buf.subarray(4 + len + TAG_BYTES);
    }
  };
  const tryOpen = (body: Buffer, tag: Buffer, flags: boolean[]): { data: Buffer; final: boolean } | null => {
    for (const final of flags) {
      try {
        const d = createDecipheriv('aes-256-gcm', key!, nonce(prefix!, counter, final));
        d.setAAD(aad!);
        d.setAuthTag(tag);
        return { data: Buffer.concat([d.update(body), d.final()]), final };
      } catch {
        // try the other flag; both failing means the frame is not authentic
      }
    }
    return null;
  };

  return new Transform({
    async transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        if (!aad) {
          if (buf.length < MAGIC.length) return done();
          if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw notBackup();
          if (buf.length < MAGIC.length + 4) return done();
          const plen = buf.readUInt32BE(MAGIC.length);
          if (plen > MAX_PREAMBLE_BYTES) throw notBackup();
          if (buf.length < MAGIC.length + 4 + plen) return done();
          const json = buf.subarray(MAGIC.length + 4, MAGIC.length + 4 + plen);
          const p = parsePreamble(json);
          aad = Buffer.from(buf.subarray(0, MAGIC.length + 4 + plen));
          buf = buf.subarray(aad.length);
          key = await deriveKey(passphrase, Buffer.from(p.kdf.salt, 'base64'), p.kdf);
          const expected = Buffer.from(p.key_check, 'base64');
          const actual = keyCheck(key);
          if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw wrongPassphrase();
          prefix = Buffer.from(p.nonce_prefix, 'base64');
        }
        openFrames((b) => this.push(b));
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done: TransformCallback) {
      if (!aad) return done(buf.length >= MAGIC.length && !buf.subarray(0, MAGIC.length).equals(MAGIC) ? notBackup() : truncated());
      if (!finished || buf.length > 0) return done(truncated());
      done();
    },
  });
}
