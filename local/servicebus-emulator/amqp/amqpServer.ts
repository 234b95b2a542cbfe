import type { Server } from 'node:net';
import {
  create_container,
  type Connection,
  type EventContext,
  type Message,
  type Receiver,
  type Sender,
} from 'rhea';
import { BrokerError } from '../broker/brokerError';
import type { EntityRegistry, ResolvedAddress } from '../broker/entityRegistry';
import { OperationCounts } from '../broker/operationCounts';
import { assertSessionIdGiven } from '../broker/session';
import { SessionStore } from '../broker/sessionStore';
import type { Logger } from '../log';
import { handleCbsRequest } from './cbs';
import { amqpMessage } from './rheaMessage';
import { CONDITION, MAX_MESSAGE_SIZE } from './conditions';
import { ConnectionState } from './connectionState';
import { DeliveryLink } from './deliveryLink';
import { cancelSessionAccept, openSessionReceiver, sessionFilterOf } from './sessionLink';
import { handleManagementRequest } from './management';
import { decodeTransfer, fromWire } from './messageCodec';
import { normaliseAudience } from './sasToken';
import { coalesceWritesPerTurn } from './turnWrites';
import { errorMessage, errorStack } from '../../../shared/errors/errorMessage';

export interface AmqpServerOptions {
  registry: EntityRegistry;
  keyName: string;
  key: string;
  log: Logger;
}

/** What a server-side receiving link (a client's sender) is for. */
type RequestHandler =
  | { kind: 'cbs' }
  | { kind: 'management'; target: ResolvedAddress }
  | { kind: 'entity'; target: ResolvedAddress };

interface LinkTerminus {
  address?: string;
  filter?: Record<string, unknown>;
}

/** What Service Bus says of an entity that does not exist; the SDK maps it to MessagingEntityNotFound. */
function notFoundDescription(path: string): string {
  return `The messaging entity 'sb://localhost/${path}' could not be found.`;
}

function describe(connection: Connection): string {
  return `connection ${connection.container_id ?? '?'}`;
}

/**
 * The AMQP 1.0 listener: CBS authorisation, management requests, sending links into entities
 * and receiving links out of queues and subscriptions.
 */
export class AmqpServer {
  private readonly container = create_container({
    id: 'switchyard-servicebus-emulator',
    treat_modified_as_released: false,
    autoaccept: false,
  });
  private readonly connections = new Map<Connection, ConnectionState>();
  private readonly handlers = new WeakMap<Receiver, RequestHandler>();
  private readonly deliveryLinks = new Map<Sender, DeliveryLink>();
  /** Links attached to an entity -> forgets their watch on its deletion (see watchEntity). */
  private readonly entityWatches = new Map<Sender | Receiver, () => void>();
  private server: Server | undefined;
  /** What clients asked, per entity: sends, receives, settlements, scheduled messages, requests. */
  readonly counts = new OperationCounts();

  constructor(private readonly options: AmqpServerOptions) {
    const c = this.container;
    // A misbehaving client must not take the emulator down: handler failures are logged.
    const on = (event: string, handle: (context: EventContext) => void): void => {
      c.on(event, (context: EventContext) => {
        try {
          handle(context);
        } catch (error) {
          this.options.log.error(`${event} failed: ${errorStack(error)}`);
        }
      });
    };
    on('connection_open', (context) => this.onConnectionOpen(context));
    on('connection_close', (context) => this.onConnectionGone(context.connection, 'closed'));
    on('disconnected', (context) => this.onConnectionGone(context.connection, 'disconnected'));
    on('sender_open', (context) => this.onSenderOpen(context.sender!));
    on('receiver_open', (context) => this.onReceiverOpen(context.receiver!));
    on('sender_close', (context) => this.onSenderGone(context.sender!));
    on('receiver_close', (context) => this.onReceiverGone(context.receiver!));
    on('message', (context) => this.onMessage(context));
    on('error', (context) =>
      this.options.log.error(`amqp error: ${String((context as { error?: unknown }).error)}`),
    );
    on('connection_error', (context) =>
      this.options.log.error(
        `${describe(context.connection)} error: ${errorMessage(context.connection.error)}`,
      ),
    );
    on('protocol_error', (context) =>
      this.options.log.error(`protocol error: ${String((context as { error?: unknown }).error)}`),
    );
  }

  /** What the server holds per connection and link (for tests that nothing outlives them). */
  get stateSizes(): { connections: number; deliveryLinks: number; entityWatches: number } {
    return {
      connections: this.connections.size,
      deliveryLinks: this.deliveryLinks.size,
      entityWatches: this.entityWatches.size,
    };
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      // Without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms to request/response round trips.
      const listenOptions = { port, host, tcp_no_delay: true } as { port: number; host: string };
      const server = this.container.listen(listenOptions);
      this.server = server;
      // After rhea's own listener has accepted it, before any frame is written.
      server.on('connection', coalesceWritesPerTurn);
      server.once('error', reject);
      server.once('listening', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    // Stopping is not deleting: forget the watches first, so closing the registry afterwards
    // does not detach every link with amqp:not-found before the sockets go.
    for (const forget of this.entityWatches.values()) forget();
    this.entityWatches.clear();
    for (const link of this.deliveryLinks.values()) link.close();
    this.deliveryLinks.clear();
    const server = this.server;
    for (const state of this.connections.values()) {
      const connection = state.connection as Connection & { socket?: { destroy(): void } };
      connection.socket?.destroy();
    }
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onConnectionOpen(context: EventContext): void {
    this.connections.set(context.connection, new ConnectionState(context.connection));
    this.options.log.info(`${describe(context.connection)} opened`);
  }

  private onConnectionGone(connection: Connection, how: string): void {
    if (!this.connections.delete(connection)) return;
    for (const [sender, link] of this.deliveryLinks) {
      if (sender.connection === connection) {
        link.close();
        this.deliveryLinks.delete(sender);
      }
    }
    for (const link of [...this.entityWatches.keys()]) if (link.connection === connection) this.unwatch(link);
    this.options.log.info(`${describe(connection)} ${how}`);
  }

  private state(connection: Connection): ConnectionState {
    let state = this.connections.get(connection);
    if (!state) {
      state = new ConnectionState(connection);
      this.connections.set(connection, state);
    }
    return state;
  }

  /** Echoes the terminus (rhea does not) and advertises the message size limit. */
  private echoAttach(link: Sender | Receiver): void {
    const local = (link as unknown as { local: { attach: Record<string, unknown> } }).local.attach;
    link.set_source(link.source);
    link.set_target(link.target);
    local.max_message_size = MAX_MESSAGE_SIZE;
    local.snd_settle_mode = link.snd_settle_mode;
    local.rcv_settle_mode = link.rcv_settle_mode;
  }

  /** Resolves and authorises an entity address, or closes the link with the reason. */
  private admit(link: Sender | Receiver, address: string): ResolvedAddress | undefined {
    const target = this.options.registry.resolve(address);
    if (!target) {
      this.refuse(link, 'amqp:not-found', notFoundDescription(address));
      return undefined;
    }
    if (!this.state(link.connection).isAuthorised(normaliseAudience(address), Date.now())) {
      this.refuse(
        link,
        'amqp:unauthorized-access',
        `Unauthorized access to '${address}': put a token on $cbs first.`,
      );
      return undefined;
    }
    return target;
  }

  /**
   * Detaches `link` when the entity (or subscription) it is attached to is deleted, as Service
   * Bus does: with amqp:not-found and "could not be found", which the SDK reports as
   * MessagingEntityNotFound. The SDK then attaches a new link on its next operation (or its
   * streaming receiver retries), so the same client reaches an entity recreated under that name
   * instead of a deleted one.
   */
  private watchEntity(link: Sender | Receiver, target: ResolvedAddress): void {
    const signal = target.store?.closing ?? target.entity.closing;
    this.unwatch(link);
    const forget = signal.onClose(() => {
      this.entityWatches.delete(link);
      this.handlers.delete(link as Receiver);
      const delivery = this.deliveryLinks.get(link as Sender);
      delivery?.close();
      this.deliveryLinks.delete(link as Sender);
      if (link.is_closed()) return;
      this.options.log.info(`entity '${target.path}' deleted: detaching ${link.name}`);
      link.close({ condition: 'amqp:not-found', description: notFoundDescription(target.path) });
    });
    this.entityWatches.set(link, forget);
  }

  private unwatch(link: Sender | Receiver): void {
    this.entityWatches.get(link)?.();
    this.entityWatches.delete(link);
  }

  private refuse(link: Sender | Receiver, condition: string, description: string): void {
    this.options.log.error(`link refused: ${link.name}: ${description}`);
    link.close({ condition, description });
  }

  private onSenderOpen(sender: Sender): void {
    this.echoAttach(sender);
    const address = (sender.source as LinkTerminus | undefined)?.address ?? '';
    this.options.log.info(`link opened: sender ${sender.name} from '${address}'`);
    if (address === '$cbs' || /\/\$management$/i.test(address) || address === '$management') {
      this.state(sender.connection).addReplyLink(sender);
      const management = address === '$cbs' ? undefined : this.options.registry.resolve(address);
      if (management) this.watchEntity(sender, management);
      return;
    }
    const target = this.admit(sender, address);
    if (!target) return;
    if (!target.store) {
      this.refuse(
        sender,
        'amqp:not-allowed',
        `Cannot receive from topic '${target.path}': receive from one of its subscriptions.`,
      );
      return;
    }
    this.watchEntity(sender, target);
    const sessionFilter = sessionFilterOf(sender.source);
    if (sessionFilter.present) {
      openSessionReceiver(
        sender,
        target.store,
        sessionFilter.sessionId,
        this.options.log,
        this.counts,
        (link) => this.deliveryLinks.set(sender, link),
      );
      return;
    }
    if (target.store instanceof SessionStore) {
      this.refuse(
        sender,
        'amqp:not-allowed',
        `It is not possible for an entity that requires sessions to create a non-sessionful message receiver. Entity: ${target.path}.`,
      );
      return;
    }
    this.deliveryLinks.set(sender, new DeliveryLink(sender, target.store, this.options.log, this.counts));
  }

  private onSenderGone(sender: Sender): void {
    this.unwatch(sender);
    cancelSessionAccept(sender);
    this.state(sender.connection).removeReplyLink(sender);
    this.deliveryLinks.get(sender)?.close();
    this.deliveryLinks.delete(sender);
    this.options.log.info(`link closed: sender ${sender.name}`);
  }

  private onReceiverOpen(receiver: Receiver): void {
    this.echoAttach(receiver);
    const address = (receiver.target as LinkTerminus | undefined)?.address ?? '';
    this.options.log.info(`link opened: receiver ${receiver.name} to '${address}'`);
    if (address === '$cbs') {
      this.handlers.set(receiver, { kind: 'cbs' });
      return;
    }
    const target = this.admit(receiver, address);
    if (!target) return;
    const sendsToStore = target.deadLetter || (target.entity.kind === 'topic' && target.store !== undefined);
    if (!target.management && sendsToStore) {
      this.refuse(
        receiver,
        'amqp:not-allowed',
        `Cannot send to '${target.path}': send to the queue or topic.`,
      );
      return;
    }
    this.handlers.set(receiver, { kind: target.management ? 'management' : 'entity', target });
    this.watchEntity(receiver, target);
  }

  private onReceiverGone(receiver: Receiver): void {
    this.unwatch(receiver);
    this.handlers.delete(receiver);
    this.options.log.info(`link closed: receiver ${receiver.name}`);
  }

  private onMessage(context: EventContext): void {
    const receiver = context.receiver!;
    const delivery = context.delivery!;
    const handler = this.handlers.get(receiver);
    const state = this.state(receiver.connection);
    if (!handler) {
      delivery.update(
        true,
        amqpMessage
          .rejected({
            error: { condition: 'amqp:not-allowed', description: 'link is not attached to anything' },
          })
          .described(),
      );
      return;
    }
    if (handler.kind === 'entity') {
      this.onEntityTransfer(context, handler.target);
      return;
    }
    const request = context.message as Message;
    if (handler.kind === 'cbs') this.counts.add('$cbs', 'put-token');
    const reply =
      handler.kind === 'cbs'
        ? handleCbsRequest(request, state, this.options)
        : handleManagementRequest(request, handler.target, this.counts);
    delivery.update(true, amqpMessage.accepted().described());
    const replyLink = state.replyLink(String(request.reply_to ?? ''));
    if (!replyLink) {
      this.options.log.error(
        `no reply link named '${String(request.reply_to)}' for a ${handler.kind} request`,
      );
      return;
    }
    replyLink.send(reply);
  }

  private onEntityTransfer(context: EventContext, target: ResolvedAddress): void {
    const delivery = context.delivery!;
    try {
      const format = (context as unknown as { format?: number }).format;
      const messages = decodeTransfer(context.message as Message | Buffer, format);
      for (const { message, size } of messages) {
        if (size > MAX_MESSAGE_SIZE) {
          throw new BrokerError(
            'MessageSizeExceeded',
            `The received message (size ${size} bytes) exceeds the limit (${MAX_MESSAGE_SIZE} bytes) of '${target.path}'.`,
          );
        }
        // A batch is refused whole, before any of it is enqueued.
        if (target.store) assertSessionIdGiven(target.store.settings, message);
      }
      for (const { message, size } of messages) target.entity.send(fromWire(message, size));
      delivery.update(true, amqpMessage.accepted().described());
      // One transfer carries one message or a batch: both are counted.
      this.counts.add(target.path, 'send transfer');
      this.counts.add(target.path, 'send', messages.length);
    } catch (error) {
      const known = error instanceof BrokerError;
      const condition = known ? CONDITION[error.code].condition : 'amqp:internal-error';
      const description = errorMessage(error);
      this.options.log.error(`send to '${target.path}' refused: ${description}`);
      delivery.update(true, amqpMessage.rejected({ error: { condition, description } }).described());
    }
  }
}
