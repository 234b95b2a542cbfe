import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import { ingressRedrive } from '../shared/app/httpApi';

app.post('ingressRedrive', { route: 'ingress/deadletters/redrive', ...requires('operate', ingressRedrive) });
