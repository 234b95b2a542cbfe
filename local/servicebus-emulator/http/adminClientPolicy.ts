import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * ServiceBusAdministrationClient 7.9.x always builds `https://<endpoint>/...` URLs and ignores
 * UseDevelopmentEmulator, while this emulator (like the official one) serves the management API
 * in plain HTTP on its HTTP port. Adding this policy to the client's pipeline sends the same
 * requests (still SAS-signed) over http:
 *
 *   const admin = new ServiceBusAdministrationClient(emulator.adminConnectionString);
 *   admin.pipeline.addPolicy(emulatorHttpPolicy);
 *
 * SDK versions that map UseDevelopmentEmulator=true to http need no policy.
 */
export const emulatorHttpPolicy: PipelinePolicy = {
  name: 'servicebusEmulatorPlainHttp',
  sendRequest(request, next) {
    request.url = request.url.replace(/^https:/i, 'http:');
    // core-rest-pipeline refuses plain http unless the request allows it.
    request.allowInsecureConnection = true;
    return next(request);
  },
};
