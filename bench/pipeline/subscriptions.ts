/** Creates webhook subscriptions through the HTTP API, as a user would. */
export async function createWebhookSubscription(
  apiUrl: string,
  functionKey: string,
  topic: string,
  name: string,
  endpointUrl: string,
): Promise<void> {
  const response = await fetch(`${apiUrl}/topics/${topic}/subscriptions/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-functions-key': functionKey },
    body: JSON.stringify({ destination: { endpointType: 'WebHook', endpointUrl }, filter: {} }),
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(
      `PUT subscription ${topic}/${name} answered ${response.status}: ${await response.text()}`,
    );
  }
}
