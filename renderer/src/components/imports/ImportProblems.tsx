/** The rows of a checked file that need fixing (or were skipped), each with its line. */
import type { ImportProblem } from '../../../../preload/api';

export function ImportProblems({ title, problems, total, tone }: { title: string; problems: ImportProblem[]; total: number; tone: 'error' | 'note' }) {
  if (total === 0) return null;
  return (
    <div className={tone === 'error' ? 'im-problems' : 'im-notes'}>
      <h3>
        {title} ({total})
      </h3>
      <table className="table" aria-label={title}>
        <thead>
          <tr>
            <th>Line</th>
            <th>{tone === 'error' ? 'What to fix' : 'Why'}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((problem) => (
            <tr key={`${problem.line}-${problem.message}`}>
              <td className="ct-num">{problem.line}</td>
              <td>{problem.message.charAt(0).toUpperCase() + problem.message.slice(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > problems.length ? <p className="muted">…and {total - problems.length} more.</p> : null}
    </div>
  );
}
