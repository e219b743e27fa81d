/** 共 N 条 · 第 x / y 页, with previous/next. */
export const Pagination = ({
  total,
  page,
  pageSize,
  unit,
  onPage,
}: {
  total: number
  page: number
  pageSize: number
  unit: string
  onPage: (page: number) => void
}) => {
  const pages = Math.max(1, Math.ceil(total / pageSize))
  return (
    <div className="pagination">
      <span className="pagination-info">
        共 {total} {unit} · 第 {Math.min(page, pages)} / {pages} 页
      </span>
      <div className="pagination-buttons">
        <button type="button" className="btn btn-small" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          上一页
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={page >= pages}
          onClick={() => onPage(page + 1)}
        >
          下一页
        </button>
      </div>
    </div>
  )
}
