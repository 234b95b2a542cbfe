import { appRoles, type AppRole } from '../../../infra/hooks/appRegistration';
import { grantsFromRoles, ROLE_PERMISSIONS } from '../../../shared/auth/permissions';

describe('the app registration hook declares the roles the app maps', () => {
  it('declares one role per permission, plus per-topic roles, each one the app understands', () => {
    const roles = appRoles([], ['orders']);
    const values = roles.map((role) => role.value);
    expect(values).toEqual(expect.arrayContaining(Object.keys(ROLE_PERMISSIONS)));
    expect(values).toContain('Switchyard.Publish.orders');
    expect(values).not.toContain('Switchyard.Admin.orders');
    for (const value of values) expect(grantsFromRoles([value])).toHaveLength(1);
    expect(new Set(roles.map((role) => role.id)).size).toBe(roles.length);
  });

  it('keeps the ids of existing roles and disables roles no longer wanted', () => {
    const first = appRoles([], ['orders']);
    const second = appRoles(first, []);
    const publish = (roles: AppRole[]) => roles.find((role) => role.value === 'Switchyard.Publish')?.id;
    expect(publish(second)).toBe(publish(first));
    expect(second.find((role) => role.value === 'Switchyard.Publish.orders')).toMatchObject({
      isEnabled: false,
    });
  });
});
