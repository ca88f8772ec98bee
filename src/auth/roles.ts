// The roles a user can hold, as OpenREM's groups, and what a route may require. Every route
// of the web interface states one Access; a superuser holds every role.

export const ROLES = ['view', 'importsize', 'importqr', 'export', 'pid', 'admin'] as const;

export type Role = (typeof ROLES)[number];

/** What a route needs: nothing, a signed-in user, or a signed-in user holding a role. */
export type Access = 'public' | 'login' | Role;

export const ACCESS_LEVELS: readonly Access[] = ['public', 'login', ...ROLES];

/**
 * What each role allows, as user administration pages, the help page and refusals explain it.
 * Every role includes seeing dose data (see grantedRoles), so only view's own text says so.
 */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  view: 'see studies, lists and charts (every other role includes this)',
  importsize: 'import patient size (height and weight) from CSV files',
  importqr: 'reserved for query-retrieve from other DICOM systems, which is not available yet',
  export: 'export studies to CSV and XLSX',
  pid: 'see, search and export patient name, ID and birth date',
  admin: 'delete studies, configure systems and settings, manage users, see tasks, the quarantine and the audit log',
};

/** The role model in a sentence, for the pages that explain roles. */
export const ROLE_MODEL_NOTE =
  'Every role includes view: a user with any role sees the studies their work is about. A user with no role at all sees no dose data and can only change their own password.';

/**
 * The roles a user holds in effect: a superuser holds every role, and any role includes view,
 * since exporting, importing sizes, patient identifiers and administration all act on studies
 * their holder must be able to see. A user with no role at all sees no dose data.
 */
export function grantedRoles(roles: readonly Role[], isSuperuser: boolean): Role[] {
  if (isSuperuser) return [...ROLES];
  return roles.length ? sortRoles([...roles, 'view']) : [];
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isAccess(value: unknown): value is Access {
  return typeof value === 'string' && (ACCESS_LEVELS as readonly string[]).includes(value);
}

/** "view,export" → the roles, in the canonical order; throws naming an unknown role. */
export function parseRoleList(text: string): Role[] {
  const names = text
    .split(',')
    .map((r) => r.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((n) => !isRole(n));
  if (unknown.length) throw new Error(`unknown role${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
  return sortRoles(names as Role[]);
}

/** Roles without duplicates, in the order of ROLES. */
export function sortRoles(roles: readonly Role[]): Role[] {
  return ROLES.filter((r) => roles.includes(r));
}
