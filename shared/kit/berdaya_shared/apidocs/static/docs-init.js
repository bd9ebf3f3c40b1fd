// Starts Swagger UI on /docs from the data-* attributes of #swagger-ui (no inline script: the page's CSP has none).
// "Authorize" uses the authorization code flow with PKCE through the public client named in data-client-id.
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  var ui = window.SwaggerUIBundle({
    url: el.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    oauth2RedirectUrl: window.location.origin + el.dataset.redirect,
    persistAuthorization: false,
    displayRequestDuration: true
  });
  ui.initOAuth({ clientId: el.dataset.clientId, usePkceWithAuthorizationCodeGrant: true, scopes: "openid" });
  window.ui = ui;
})();
