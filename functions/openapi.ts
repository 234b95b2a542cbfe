import { app } from '@azure/functions';
import { anonymous } from '../shared/app/access';
import { openApiDocument } from '../shared/app/httpApi';

app.get('openapi', { route: 'openapi.json', ...anonymous(openApiDocument) });
