// The dashboard and portal are assembled from these files as text (src/web/pages.ts) and embedded
// in the binary; the scripts run in the browser, not in the gateway.
declare module "*.css" {
  const text: string;
  export default text;
}
declare module "*.web.js" {
  const text: string;
  export default text;
}
