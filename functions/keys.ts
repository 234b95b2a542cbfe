import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import { deleteKey, listKeys, putKey } from '../shared/app/httpApi';

app.get('listKeys', { route: 'keys', ...requires('admin', listKeys) });
app.put('putKey', { route: 'keys/{name}', ...requires('admin', putKey) });
app.deleteRequest('deleteKey', { route: 'keys/{name}', ...requires('admin', deleteKey) });
