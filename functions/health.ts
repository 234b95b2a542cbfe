import { app } from '@azure/functions';
import { anonymous } from '../shared/app/access';
import { health } from '../shared/app/httpApi';

app.get('health', { route: 'health', ...anonymous(health) });
