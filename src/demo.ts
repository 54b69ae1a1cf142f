// The demo (ONSALE_DEMO=1, the default) is a catalog loaded into an empty database on first
// start: see src/catalog/demo-data.ts. Its centrepiece is the 81,450-seat demo stadium.
export { DEMO_EVENT_ID } from './catalog/demo-data.ts';
