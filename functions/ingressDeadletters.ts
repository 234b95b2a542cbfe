import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import { ingressDeadletters } from '../shared/app/httpApi';

app.get('ingressDeadletters', { route: 'ingress/deadletters', ...requires('operate', ingressDeadletters) });
