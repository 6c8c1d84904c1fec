import type { ReactNode } from 'react';

/**
 * A table with a header row of `columns` whose body is `children` (the rows). It scrolls
 * sideways inside its own box on a narrow screen rather than widening the page.
 */
export function Table({
  columns,
  children,
}: {
  columns: ReadonlyArray<string | false>;
  children: ReactNode;
}) {
  return (
    <div className="scroll">
      <table>
        <thead>
          <tr>
            {columns
              .filter((column): column is string => column !== false)
              .map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
