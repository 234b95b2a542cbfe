import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import { deadletters } from '../shared/app/httpApi';

app.get('deadletters', {
  route: 'topics/{topic}/subscriptions/{name}/deadletters',
  ...requires('events.read', deadletters),
});
