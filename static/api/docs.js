// Starts Swagger UI on the API docs page; a file rather than an inline script, so the
// page works under the site's Content Security Policy. Calls made from the page use the
// browser's session, so they carry the CSRF token like the site's forms.
(function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      request.headers["X-CSRFToken"] = root.dataset.csrfToken;
      return request;
    },
  });
})();
