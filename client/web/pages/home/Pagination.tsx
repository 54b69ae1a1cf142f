import { Link } from '../../lib/navigation.tsx';

/** Previous / next and the page numbers around the current one, as links (they work without JS too). */
export function Pagination({
  page,
  pages,
  hrefFor,
}: {
  page: number;
  pages: number;
  hrefFor(page: number): string;
}) {
  if (pages <= 1) return null;
  const near: number[] = [];
  for (let p = Math.max(1, page - 2); p <= Math.min(pages, page + 2); p++) near.push(p);
  return (
    <nav aria-label="Pages" class="pagination">
      <ul>
        <li>
          {page > 1 ? (
            <Link href={hrefFor(page - 1)}>Previous</Link>
          ) : (
            <span aria-disabled="true">Previous</span>
          )}
        </li>
        {near.map((p) => (
          <li key={p}>
            {p === page ? (
              <span aria-current="page">{p}</span>
            ) : (
              <Link href={hrefFor(p)} aria-label={`Page ${p}`}>
                {p}
              </Link>
            )}
          </li>
        ))}
        <li>
          {page < pages ? <Link href={hrefFor(page + 1)}>Next</Link> : <span aria-disabled="true">Next</span>}
        </li>
      </ul>
    </nav>
  );
}
