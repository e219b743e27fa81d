/**
 * What the content library (F22–F24) offers other modules — mainly campaigns, which SEND approved
 * articles and count who opened them.
 *
 * Sending: `approvedVersion(articleId)` answers the article's currently approved version (the only
 * version that may ever be sent) or `undefined` when the article does not exist or has no approved
 * version yet. Campaigns should resolve it at send time and put `page` (a mini-program page path, no
 * leading slash) into the inbox message's link; to count opens, append `&campaignRunId=<runId>` to
 * `page` — the article page passes that id back with every read event.
 *
 * Counting: every read event the mini-program's article page reports carries the optional
 * `campaignRunId` it was opened with. `readsForCampaign(runId)` aggregates those: how many distinct
 * patient profiles opened an article under that run, how many read it to the end (≥ 30 s or scrolled
 * to the end), plus the per-profile list so campaigns can attribute conversions. Reads are recorded
 * once per (readId, event), so retries never inflate the counts.
 */
export interface ApprovedArticle {
  articleId: string
  /** The approved version number `n` (1-based). */
  version: number
  title: string
  summary: string
  coverUrl?: string
  /** Mini-program page, e.g. `pkg-content/article/index?id=<articleId>`. */
  page: string
}

export interface CampaignReadStats {
  campaignRunId: string
  /** Distinct profiles that opened an article under this run. */
  openedProfiles: number
  /** Distinct profiles whose read counted as completed (≥ 30 s or scrolled to the end). */
  completedProfiles: number
  /** One row per profile (and article) that opened under this run. */
  readers: Array<{ profileId: string; articleId: string; firstOpenAt: Date; completed: boolean }>
}

export interface ContentPort {
  approvedVersion(articleId: string): Promise<ApprovedArticle | undefined>
  readsForCampaign(campaignRunId: string): Promise<CampaignReadStats>
}

/** The page path of an article in the mini-program (no leading slash, as push links use). */
export function articlePage(articleId: string): string {
  return `pkg-content/article/index?id=${articleId}`
}
