/** Correlation filter fields, as Config.json names them. */
export interface CorrelationFilterConfig {
  ContentType?: string;
  CorrelationId?: string;
  Label?: string;
  MessageId?: string;
  ReplyTo?: string;
  ReplyToSessionId?: string;
  SessionId?: string;
  To?: string;
  Properties?: Record<string, string | number | boolean>;
}
