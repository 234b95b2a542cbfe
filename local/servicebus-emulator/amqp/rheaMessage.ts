import { message as rheaMessage, type Message } from 'rhea';

/** The parts of rhea's message module used here, typed as they behave (its typings lag). */
interface Outcome {
  described(): unknown;
}

interface RheaMessageModule {
  encode(message: Message): Buffer;
  decode(buffer: Buffer): Message;
  accepted(): Outcome;
  rejected(fields: { error: { condition: string; description?: string } }): Outcome;
}

export const amqpMessage = rheaMessage as unknown as RheaMessageModule;
