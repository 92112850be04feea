// docs.js — draws the API reference at /docs with Redoc from the server's
// own OpenAPI description.  Redoc's options: https://redocly.com/docs/redoc/config
/* global Redoc */
(function () {
  'use strict';
  var el = document.getElementById('redoc');
  var spec = '/api/v1/openapi.json';
  if (typeof Redoc === 'undefined') {
    el.innerHTML = '<p class="loading">The reference could not be drawn. The description itself is ' +
      '<a href="' + spec + '">' + spec + '</a> (OpenAPI 3.1).</p>';
    return;
  }
  Redoc.init(spec, {
    expandResponses: '200,201',
    hideHostname: true,
    hideRequestPayloadSample: true,
    jsonSampleExpandLevel: 2,
    sortTagsAlphabetically: false,
    requiredPropsFirst: true,
    noAutoAuth: false,
    nativeScrollbars: true,
    theme: {
      colors: { primary: { main: '#0b5cad' } },
      typography: {
        fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Devanagari", sans-serif',
        headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif' },
        code: { fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace' }
      },
      sidebar: { width: '260px' }
    }
  }, el, function (err) {
    document.title = 'QuantumTrack API reference';
    el.setAttribute('data-ready', err ? 'error' : 'yes');
  });
}());
