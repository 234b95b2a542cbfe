/**
 * Which CloudEvents HTTP mode a request uses (HTTP protocol binding 1.0, section 3):
 * the event-format media types mean structured or batch; otherwise ce-specversion means binary.
 * Anything else is 415 naming content-type, with the accepted choices in the message.
 */
import { unsupportedMediaTypeProblem } from '../http/problems';
import {
  CLOUDEVENTS_BATCH_JSON,
  CLOUDEVENTS_JSON,
  type HeaderBag,
  type HttpEventMode,
} from './httpEventRequest';
import { hasUtf8Charset, parseMediaType } from './mediaType';

const SUPPORTED =
  `use ${CLOUDEVENTS_JSON} (structured), ${CLOUDEVENTS_BATCH_JSON} (batch), ` +
  'or binary mode with ce-specversion and the other ce-* headers';

export function detectHttpMode(headers: HeaderBag): HttpEventMode {
  const contentType = headers.get('content-type');
  const media = contentType === null ? undefined : parseMediaType(contentType);
  if (media?.essence === CLOUDEVENTS_JSON || media?.essence === CLOUDEVENTS_BATCH_JSON) {
    if (!hasUtf8Charset(media)) {
      throw unsupportedMediaTypeProblem(`only charset=utf-8 is supported, not ${media.parameters.charset}`);
    }
    return media.essence === CLOUDEVENTS_JSON ? 'structured' : 'batch';
  }
  if (media?.essence.startsWith('application/cloudevents')) {
    throw unsupportedMediaTypeProblem(
      `${media.essence} is not supported, only the JSON event format: ${SUPPORTED}`,
    );
  }
  // Binary mode: any Content-Type (it describes the data), recognised by the ce-specversion header.
  if (headers.get('ce-specversion') !== null) return 'binary';
  const got = contentType === null ? 'no content type' : `content type ${contentType}`;
  throw unsupportedMediaTypeProblem(`${got} and no ce-specversion header: ${SUPPORTED}`);
}
