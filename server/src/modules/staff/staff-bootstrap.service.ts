import type { StaffRole } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { Config } from '../../config'
import type { Connection } from '../../db/connection'
import { createPasswordHasher } from './staff-password.service'
import { createStaffRepo, DuplicateStaffKeyError, type StaffRepo } from './staff.repo'

/** The one password of every demo staff account (`npm start` only; printed by the README and the stack). */
export const DEMO_STAFF_PASSWORD = 'careloop-demo-2026'

export const DEMO_STAFF: readonly {
  username: string
  name: string
  role: StaffRole
  wecomUserId?: string
}[] = [
  { username: 'admin', name: '系统管理员', role: 'admin' },
  { username: 'nurse.li', name: '李娜', role: 'nurse', wecomUserId: 'LiNa' },
  { username: 'headnurse.wang', name: '王护士长', role: 'head_nurse', wecomUserId: 'WangFang' },
  { username: 'marketing.zhao', name: '赵运营', role: 'marketer' },
]

/** Creates the account unless the username exists; a concurrent creator winning counts as existing. */
const createOnce = async (
  repo: StaffRepo,
  s: { username: string; name: string; role: StaffRole; wecomUserId?: string },
  passwordHash: string,
  at: Date,
): Promise<boolean> => {
  if (await repo.findByUsername(s.username)) return false
  try {
    await repo.create({ ...s, passwordHash }, at)
    return true
  } catch (e) {
    if (e instanceof DuplicateStaffKeyError) return false
    throw e
  }
}

/**
 * Local demo staff (admin, nurse.li, headnurse.wang, marketing.zhao), all with DEMO_STAFF_PASSWORD;
 * nurse.li is linked to the WeCom userid `LiNa`. Idempotent: existing usernames are left alone.
 * Never call it in production.
 */
export const seedDemoStaff = async (deps: {
  db: Connection
  clock: Clock
}): Promise<{ created: string[]; password: string }> => {
  const repo = createStaffRepo(deps.db)
  const passwordHash = await createPasswordHasher().hash(DEMO_STAFF_PASSWORD)
  const created: string[] = []
  for (const s of DEMO_STAFF)
    if (await createOnce(repo, s, passwordHash, deps.clock.now())) created.push(s.username)
  return { created, password: DEMO_STAFF_PASSWORD }
}

/**
 * Production bootstrap: when there is no staff account at all and ADMIN_BOOTSTRAP_PASSWORD is set,
 * creates `admin` with it (once; later start-ups find staff and do nothing). Safe with several
 * instances starting together (the unique username decides).
 */
export const ensureBootstrapAdmin = async (deps: {
  db: Connection
  config: Pick<Config, 'staff'>
  clock: Clock
}): Promise<'created' | 'exists' | 'not-configured'> => {
  const password = deps.config.staff.bootstrapAdminPassword
  const repo = createStaffRepo(deps.db)
  if ((await repo.count()) > 0) return 'exists'
  if (!password) return 'not-configured'
  const hash = await createPasswordHasher().hash(password)
  const made = await createOnce(
    repo,
    { username: 'admin', name: 'Administrator', role: 'admin' },
    hash,
    deps.clock.now(),
  )
  return made ? 'created' : 'exists'
}
