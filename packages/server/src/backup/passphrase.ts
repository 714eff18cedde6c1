import { readFileSync } from 'node:fs';
import { DomainError } from '@openhssk/core';

/**
 * Where the backup passphrase comes from, in this order: --passphrase-file, the
 * HSSK_BACKUP_PASSPHRASE environment variable, an interactive prompt without echo on a terminal.
 * Never a command-line argument: those are visible to every user in `ps` and kept in shell history.
 */
export interface PassphraseSource {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Ask twice on a terminal (a new backup: a typo would make it unreadable). */
  confirm?: boolean;
}

const required = () =>
  new DomainError(
    'invalid',
    'BACKUP_PASSPHRASE_REQUIRED',
    'Cần mật khẩu sao lưu: dùng --passphrase-file TỆP, biến môi trường HSSK_BACKUP_PASSPHRASE, hoặc chạy lệnh trong terminal để nhập.',
    'A backup passphrase is required: use --passphrase-file FILE, the HSSK_BACKUP_PASSPHRASE environment variable, or run the command in a terminal to type it.',
  );

export async function readPassphrase(source: PassphraseSource): Promise<string> {
  if (source.file) {
    let text: string;
    try {
      text = readFileSync(source.file, 'utf8');
    } catch {
      throw new DomainError('invalid', 'BACKUP_PASSPHRASE_FILE', `Không đọc được tệp mật khẩu "${source.file}".`, `Cannot read the passphrase file "${source.file}".`);
    }
    // The first line: editors and `echo` add a newline that is not part of the passphrase.
    const pass = text.split(/\r?\n/)[0] ?? '';
    if (!pass) throw required();
    return pass;
  }
  const fromEnv = (source.env ?? process.env).HSSK_BACKUP_PASSPHRASE;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw required();
  const pass = await promptHidden('Mật khẩu sao lưu / Backup passphrase: ');
  if (!pass) throw required();
  if (source.confirm && (await promptHidden('Nhập lại / Repeat: ')) !== pass) {
    throw new DomainError('invalid', 'BACKUP_PASSPHRASE_MISMATCH', 'Hai lần nhập mật khẩu không khớp.', 'The two passphrases do not match.');
  }
  return pass;
}

/** Reads one line from the terminal in raw mode, echoing nothing. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new DomainError('invalid', 'CANCELLED', 'Đã hủy.', 'Cancelled.'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
