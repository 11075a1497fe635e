/* A session that ends (expired, signed out elsewhere, account changed) makes the server answer
 * Dash's requests with 401: send the person to the sign-in page, which brings them back here.
 * Wall screens (/wall) never navigate away: they keep their last data and show the stale banner. */
(function () {
  if (!window.fetch || /\/wall(\/|$)/.test(window.location.pathname)) {
    return;
  }
  var original = window.fetch;
  var leaving = false;
  window.fetch = function () {
    return original.apply(this, arguments).then(function (response) {
      if (response.status === 401 && !leaving && /\/_dash-(update-component|layout|dependencies)/.test(response.url)) {
        leaving = true;
        var config = document.getElementById('_dash-config');
        var prefix = '/';
        try { prefix = JSON.parse(config.textContent).requests_pathname_prefix || '/'; } catch (e) { /* default */ }
        var here = window.location.pathname + window.location.search;
        window.location.assign(prefix + 'login?next=' + encodeURIComponent(here));
      }
      return response;
    });
  };
})();
