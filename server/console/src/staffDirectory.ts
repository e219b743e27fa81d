import { staffRoutes, type Staff } from '@careloop/shared'
import { useEffect, useState } from 'react'
import { api } from './api'
import { useSession } from './session'

export interface StaffDirectory {
  /** Every staff account (admin), or the active nurses and head nurses (nurses, head nurses); null otherwise. */
  staff: Staff[] | null
  /** A display name for a staff id: the name when known (admin, or oneself), else 已分配. */
  nameOf: (id: string | null) => string
}

/**
 * Names for staff ids (the 责任护士 column). The list route is asked only when the shared contract
 * lets the caller's role use it, so other roles never trigger a 403; they know only their own name.
 */
export const useStaffDirectory = (): StaffDirectory => {
  const { session } = useSession()
  const me = session.staff
  const allStaff = staffRoutes.listStaff.roles?.includes(me.role) ?? false
  // Head nurses (and nurses) may not list every account, but may list the nurses.
  const nurses = staffRoutes.listNurses.roles?.includes(me.role) ?? false
  const allowed = allStaff || nurses
  const [staff, setStaff] = useState<Staff[] | null>(null)

  useEffect(() => {
    if (!allowed) return
    let alive = true
    void (allStaff ? api.listStaff() : api.listNurses()).then(
      (r) => alive && setStaff(r.staff),
      () => alive && setStaff(null),
    )
    return () => {
      alive = false
    }
  }, [allowed, allStaff])

  return {
    staff,
    nameOf: (id) => {
      if (id === null) return '未分配'
      if (id === me.id) return `${me.name}（我）`
      const s = staff?.find((x) => x.id === id)
      return s ? s.name : '已分配'
    },
  }
}
