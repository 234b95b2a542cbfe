import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import { redrive } from '../shared/app/httpApi';

app.post('redrive', {
  route: 'topics/{topic}/subscriptions/{name}/deadletters/redrive',
  ...requires('operate', redrive),
});
