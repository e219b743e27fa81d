import type { Campaign, CampaignRunResponse, CampaignStatsResponse } from '@careloop/shared'
import { useEffect, useRef, useState } from 'react'
import { runIsLive } from './campaignText'
import { marketingApi } from './marketingApi'
import { useLoad, type Loaded } from './useLoad'

/** How often a live run (list being generated, messages being sent) is read again. */
const RUN_POLL_MS = 1500
/** How often a scheduled campaign is looked at for a new run. */
const CAMPAIGN_POLL_MS = 3000

export interface CampaignLive {
  campaign: Loaded<{ campaign: Campaign }>
  stats: Loaded<CampaignStatsResponse>
  /** The run shown (the newest unless one was picked), with its freshest statistics. */
  run: CampaignRunResponse | null
  select: (runId: string) => void
  /** After a control (pause, resume, cancel): read everything again. */
  refresh: () => void
}

/**
 * A campaign with its runs, kept current: a run that is generating its list or sending is polled
 * (the live progress bar); an approved or running campaign is polled for its next run to appear.
 */
export const useCampaignLive = (id: string): CampaignLive => {
  const campaign = useLoad(() => marketingApi.getCampaign(id), [id])
  const stats = useLoad(() => marketingApi.campaignStats(id), [id])
  const [picked, setPicked] = useState<string | null>(null)
  const [fresh, setFresh] = useState<CampaignRunResponse | null>(null)
  const reloadAll = useRef(() => {})
  reloadAll.current = () => {
    campaign.reload()
    stats.reload()
  }

  // newly read statistics are at least as fresh as the last poll of a run
  useEffect(() => setFresh(null), [stats.data])

  const runs = stats.data?.runs ?? []
  const base = runs.find((r) => r.run.id === picked) ?? runs[0] ?? null
  const run = fresh && base && fresh.run.id === base.run.id ? fresh : base
  const live = run ? runIsLive(run.run.state, run.stats) : false

  // the shown run while it is live: its progress and statistics, until it settles
  const runId = run?.run.id ?? null
  useEffect(() => {
    if (!runId || !live) return
    let alive = true
    const t = setInterval(() => {
      void marketingApi.campaignRun(id, runId).then(
        (r) => {
          if (!alive) return
          setFresh(r)
          if (!runIsLive(r.run.state, r.stats)) reloadAll.current()
        },
        () => undefined,
      )
    }, RUN_POLL_MS)
    return () => {
      alive = false
      clearInterval(t)
    }
  }, [id, runId, live])

  // a scheduled campaign: a new run (or a run's new state) shows up without reloading the page
  const c = campaign.data?.campaign
  const watching = c?.state === 'approved' || c?.state === 'running'
  const seen = `${c?.lastRun?.id ?? ''}:${c?.lastRun?.state ?? ''}:${c?.state ?? ''}`
  const latest = runs[0] ? `${runs[0].run.id}:${runs[0].run.state}` : ''
  useEffect(() => {
    if (!watching) return
    let alive = true
    const t = setInterval(() => {
      void marketingApi.getCampaign(id).then(
        (r) => {
          if (!alive) return
          const now = `${r.campaign.lastRun?.id ?? ''}:${r.campaign.lastRun?.state ?? ''}:${r.campaign.state}`
          if (now !== seen) {
            campaign.set(r)
            const runNow = r.campaign.lastRun ? `${r.campaign.lastRun.id}:${r.campaign.lastRun.state}` : ''
            if (runNow !== latest) stats.reload()
          }
        },
        () => undefined,
      )
    }, CAMPAIGN_POLL_MS)
    return () => {
      alive = false
      clearInterval(t)
    }
  }, [id, watching, seen, latest])

  return {
    campaign,
    stats,
    run,
    select: (r) => {
      setPicked(r)
      setFresh(null)
    },
    refresh: () => {
      setFresh(null)
      reloadAll.current()
    },
  }
}
