import type { Connection, Sender } from 'rhea';

/**
 * What the emulator remembers per AMQP connection: audiences authorised through CBS (with
 * token expiry) and the links request/response replies go to, by link name and address.
 */
export class ConnectionState {
  private readonly audiences = new Map<string, number>();
  private readonly replyLinks = new Map<string, Sender>();

  constructor(readonly connection: Connection) {}

  authorise(audience: string, expiresAt: number): void {
    this.audiences.set(audience, expiresAt);
  }

  /** True when a live token covers the (normalised, lower-case) entity address. */
  isAuthorised(address: string, now: number): boolean {
    for (const [audience, expiresAt] of this.audiences) {
      if (expiresAt <= now) continue;
      if (address === audience || address.startsWith(`${audience}/`) || audience === '') return true;
    }
    return false;
  }

  addReplyLink(sender: Sender): void {
    this.replyLinks.set(sender.name, sender);
    const target = sender.target as { address?: string } | undefined;
    if (target?.address) this.replyLinks.set(target.address, sender);
  }

  removeReplyLink(sender: Sender): void {
    for (const [key, value] of this.replyLinks) if (value === sender) this.replyLinks.delete(key);
  }

  replyLink(replyTo: string): Sender | undefined {
    return this.replyLinks.get(replyTo);
  }
}
