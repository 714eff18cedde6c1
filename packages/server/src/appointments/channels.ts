import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';

/** An outside channel that carries a short text: SMS, Zalo OA — one adapter per provider. */
export interface TextSender {
  readonly name: string;
  /** Answers the provider's message id. Throws when the provider refuses (the attempt is retried). */
  send(to: string, text: string): Promise<string>;
}

/**
 * A text channel that writes each message as a JSON line to a file: the sink for tests and for a
 * deployment that has no SMS contract yet (an operator can read what would have gone out).
 */
export class FileTextSender implements TextSender {
  constructor(
    private readonly path: string,
    readonly name = 'sms-file',
  ) {}
  async send(to: string, text: string): Promise<string> {
    const id = randomUUID();
    await appendFile(this.path, `${JSON.stringify({ id, to, text, at: new Date().toISOString() })}\n`);
    return id;
  }
}

export interface MailSender {
  send(to: string, subject: string, text: string): Promise<string>;
  close(): void;
}

/** E-mail over SMTP (nodemailer); `url` like smtp://user:pass@host:587. */
export function smtpMailSender(url: string, from: string): MailSender {
  const transport = nodemailer.createTransport(url);
  return {
    async send(to, subject, text) {
      const info = await transport.sendMail({ from, to, subject, text });
      return info.messageId;
    },
    close: () => transport.close(),
  };
}

export interface ReminderChannels {
  mail?: MailSender | undefined;
  text?: TextSender | undefined;
}
