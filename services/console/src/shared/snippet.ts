// Shared by the console server and the web app (no Node or DOM APIs here).

/**
 * Segment's standard analytics.js snippet (5.2.x) pointed at this installation's ingestion: the
 * script's host, and `analytics._cdn` (analytics.js reads the settings host from the script tag
 * only for https URLs; `_cdn` works for http too). The settings send events back to the ingestion.
 */
export function analyticsSnippet(writeKey: string, ingestionPublicUrl: string): string {
  const base = ingestionPublicUrl.replace(/\/+$/, '');
  const key = JSON.stringify(writeKey);
  return `<script>
  !function(){var i="analytics",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)window.console&&console.error&&console.error("Segment snippet included twice.");else{analytics.invoked=!0;analytics.methods=["trackSubmit","trackClick","trackLink","trackForm","pageview","identify","reset","group","track","ready","alias","debug","page","screen","once","off","on","addSourceMiddleware","addIntegrationMiddleware","setAnonymousId","addDestinationMiddleware","register"];analytics.factory=function(e){return function(){if(window[i].initialized)return window[i][e].apply(window[i],arguments);var n=Array.prototype.slice.call(arguments);if(["track","screen","alias","group","page","identify"].indexOf(e)>-1){var c=document.querySelector("link[rel='canonical']");n.push({__t:"bpc",c:c&&c.getAttribute("href")||void 0,p:location.pathname,u:location.href,s:location.search,t:document.title,r:document.referrer})}n.unshift(e);analytics.push(n);return analytics}};for(var n=0;n<analytics.methods.length;n++){var key=analytics.methods[n];analytics[key]=analytics.factory(key)}analytics.load=function(key,n){var t=document.createElement("script");t.type="text/javascript";t.async=!0;t.setAttribute("data-global-segment-analytics-key",i);t.src=${JSON.stringify(base + '/analytics.js/v1/')}+key+"/analytics.min.js";var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r);analytics._loadOptions=n};analytics._writeKey=${key};analytics._cdn=${JSON.stringify(base)};analytics.SNIPPET_VERSION="5.2.0";
  analytics.load(${key});
  analytics.page();
  }}();
</script>`;
}
