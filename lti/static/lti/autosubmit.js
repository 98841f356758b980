// The deep-linking answer goes back to the platform at once; the button stays for when scripts do not run.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (form) {
    form.submit();
  }
})();
