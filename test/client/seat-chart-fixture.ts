import type { Chart } from '../../src/domain/chart.ts';

// A small hall for the seat map's tests: two sections (one of two rows), a wheelchair place,
// a restricted view, two price categories and a standing floor in front.

export const small: Chart = {
  id: 'c1',
  name: 'Small hall',
  focal: { x: 0, y: 0 },
  categories: [
    { id: 'P1', name: 'Premium' },
    { id: 'P2', name: 'Stalls' },
  ],
  sections: [
    {
      id: 'A',
      name: 'Section A',
      rows: [
        {
          label: '1',
          seats: [
            { id: 'A-1-1', number: '1', x: -1, y: 5, category: 'P1', accessible: true },
            { id: 'A-1-2', number: '2', x: 0, y: 5, category: 'P1' },
            { id: 'A-1-3', number: '3', x: 1, y: 5, category: 'P1' },
          ],
        },
        {
          label: '2',
          seats: [
            { id: 'A-2-1', number: '1', x: -1, y: 6, category: 'P2', restrictedView: true },
            { id: 'A-2-2', number: '2', x: 0, y: 6, category: 'P2' },
          ],
        },
      ],
    },
    {
      id: 'B',
      name: 'Section B',
      rows: [{ label: '1', seats: [{ id: 'B-1-1', number: '1', x: 10, y: 5, category: 'P2' }] }],
    },
  ],
  gaAreas: [{ id: 'FLOOR', name: 'Floor', category: 'P2', capacity: 100, x: 0, y: 2.5 }],
};
