/** Failures the broker reports to clients; the AMQP layer maps each code to an error condition. */
export type BrokerErrorCode =
  | 'MessageLockLost'
  | 'MessageNotFound'
  | 'QuotaExceeded'
  | 'MessageSizeExceeded'
  | 'MessagingEntityNotFound'
  | 'UnauthorizedAccess'
  | 'InvalidOperation'
  | 'NotImplemented'
  | 'SessionLockLost'
  | 'SessionCannotBeLocked'
  | 'MessagingEntityAlreadyExists'
  | 'ArgumentError';

export class BrokerError extends Error {
  override name = 'BrokerError';

  constructor(
    readonly code: BrokerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
