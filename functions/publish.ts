import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import { publish } from '../shared/app/httpApi';

app.post('publish', { route: 'topics/{topic}/events', ...requires('publish', publish) });
