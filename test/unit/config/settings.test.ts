import { readSettings, SettingsError, type Environment } from '../../../shared/config/settings';

const LOCAL: Environment = {
  ServiceBusConnection:
    'Endpoint=sb://127.0.0.1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;',
  CosmosDbConnection: 'AccountEndpoint=https://127.0.0.1:8081/;AccountKey=a2V5;',
  PayloadStorageConnection: 'UseDevelopmentStorage=true',
};

const local = (overrides: Environment = {}): Environment => ({ ...LOCAL, ...overrides });

/** The SettingsError a call throws, to look at which setting it names. */
function settingsErrorOf(call: () => unknown): SettingsError {
  try {
    call();
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('readSettings: the SSRF allow-list', () => {
  it('accepts the allow-list forms the SSRF guard accepts (bare addresses, IPv6, blanks between commas)', () => {
    const settings = readSettings(local({ SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '10.1.2.3, ,fd00::/8,[::1]' }));
    expect(settings.allowedPrivateCidrs).toEqual(['10.1.2.3', 'fd00::/8', '[::1]']);
  });

  it.each(['10.0.0.0/33', '127.0.0.0/8,localhost', '10.0.0.0/8/8', '::ffff:10.0.0.0/90'])(
    'refuses %j, as the SSRF guard would, naming the setting',
    (value) => {
      const error = settingsErrorOf(() => readSettings(local({ SWITCHYARD_ALLOWED_PRIVATE_CIDRS: value })));
      expect(error.setting).toBe('SWITCHYARD_ALLOWED_PRIVATE_CIDRS');
    },
  );

  it('says which entry of the allow-list is wrong, naming the setting once', () => {
    const error = settingsErrorOf(() => readSettings(local({ SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8, 10.0.0.0/40' })));
    expect(error.message).toBe('setting SWITCHYARD_ALLOWED_PRIVATE_CIDRS: "10.0.0.0/40" has an invalid prefix length (0-32)');
  });
});
