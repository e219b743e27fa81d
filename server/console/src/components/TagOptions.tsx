import type { TagGroup } from '@careloop/shared'
import { TAG_KIND_LABEL } from '../labels'

/** The options of a tag picker: a placeholder, then each group's tags under its name and kind. */
export const TagOptions = ({ groups, placeholder }: { groups: readonly TagGroup[]; placeholder: string }) => (
  <>
    <option value="">{placeholder}</option>
    {groups.map((g) => (
      <optgroup key={g.id} label={`${g.name}（${TAG_KIND_LABEL[g.kind]}）`}>
        {g.tags.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </optgroup>
    ))}
  </>
)
