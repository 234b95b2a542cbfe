import { allows, grantsFromRoles, holdsAnywhere, roleFor } from '../../../shared/auth/permissions';

describe('permissions', () => {
  it('maps app roles to grants, per-topic roles to topic grants, and ignores roles it does not know', () => {
    expect(
      grantsFromRoles([
        'Switchyard.Publish.orders',
        'Switchyard.Publish.payments.eu',
        'Switchyard.Events.Read',
        'Switchyard.Subscriptions.Read.orders',
        'Other.App.Role',
        'Switchyard.Publish.',
        'Switchyard.Admin.orders',
      ]),
    ).toEqual([
      { permission: 'events.read', topics: '*' },
      { permission: 'publish', topics: ['orders', 'payments.eu'] },
      { permission: 'subscriptions.read', topics: ['orders'] },
    ]);
  });

  it('lets a role for every topic win over per-topic roles of the same permission', () => {
    expect(grantsFromRoles(['Switchyard.Publish.orders', 'Switchyard.Publish'])).toEqual([
      { permission: 'publish', topics: '*' },
    ]);
  });

  it('allows a permission on a topic only when a grant covers it; admin covers everything', () => {
    const publisher = grantsFromRoles(['Switchyard.Publish.orders']);
    expect(allows(publisher, 'publish', 'orders')).toBe(true);
    expect(allows(publisher, 'publish', 'payments')).toBe(false);
    expect(allows(publisher, 'publish', '*')).toBe(false);
    expect(allows(publisher, 'events.read', 'orders')).toBe(false);
    expect(holdsAnywhere(publisher, 'publish')).toBe(true);
    expect(holdsAnywhere(publisher, 'operate')).toBe(false);
    const admin = grantsFromRoles(['Switchyard.Admin']);
    expect(allows(admin, 'operate', '*')).toBe(true);
    expect(allows(admin, 'admin', '*')).toBe(true);
    expect(allows(grantsFromRoles(['Switchyard.Operate']), 'admin', '*')).toBe(false);
    expect(allows([], 'publish', 'orders')).toBe(false);
  });

  it('names the role that would grant a missing permission', () => {
    expect(roleFor('publish', 'orders')).toBe('Switchyard.Publish.orders');
    expect(roleFor('operate', '*')).toBe('Switchyard.Operate');
    expect(roleFor('admin', 'orders')).toBe('Switchyard.Admin');
  });
});
