import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../../messages.options';

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The email channel: on when `SMTP_URL` is set. */
@Injectable()
export class UrgentMailer implements OnApplicationShutdown {
  private readonly transport?: Transporter;
  private readonly from: string;

  constructor(@Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions) {
    const { smtpUrl, mailFrom, linkSecret } = options.urgent ?? {};
    // Without a signing key there is no acknowledgement link, so no email either.
    if (smtpUrl && linkSecret) this.transport = createTransport(smtpUrl);
    this.from = mailFrom ?? 'Department messages <messages@department.example>';
  }

  get enabled(): boolean {
    return !!this.transport;
  }

  async send(email: Email): Promise<void> {
    if (!this.transport) throw new Error('email is not configured (SMTP_URL)');
    await this.transport.sendMail({ from: this.from, ...email });
  }

  onApplicationShutdown() {
    this.transport?.close();
  }
}
