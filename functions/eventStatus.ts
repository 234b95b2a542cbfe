import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import { eventStatus } from '../shared/app/httpApi';

// The topic is known once the event is read: the handler checks it (access.requireTopic).
app.get('eventStatus', { route: 'events/{eventKey}', ...requires('events.read', eventStatus, 'handler') });
