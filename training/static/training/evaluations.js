/* Training evaluation forms: "n of m questions answered" and the characters left in the comments.
   Progressive enhancement only: the forms work and are checked on the server without it. */
(function () {
    "use strict";

    function fill(template, values) {
        return template.replace(/\{(\w+)\}/g, function (match, name) {
            return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
        });
    }

    function startProgress(form) {
        var status = form.querySelector("[data-tev-progress]");
        var questions = form.querySelectorAll("[data-tev-question]");
        if (!status || !questions.length) {
            return;
        }
        function update() {
            var done = 0;
            questions.forEach(function (question) {
                if (question.querySelector("input[type=radio]:checked")) {
                    done += 1;
                }
            });
            status.textContent = fill(status.dataset.template || "", {done: done, total: questions.length});
        }
        form.addEventListener("change", update);
        update();
    }

    function startCounter(textarea) {
        var output = document.getElementById(textarea.id + "-count");
        var limit = parseInt(textarea.getAttribute("maxlength"), 10);
        if (!output || !limit) {
            return;
        }
        var template = output.dataset.template || "";
        function update() {
            output.textContent = fill(template, {count: Math.max(limit - textarea.value.length, 0)});
        }
        textarea.addEventListener("input", update);
        update();
    }

    function start() {
        document.querySelectorAll("[data-tev-form]").forEach(startProgress);
        document.querySelectorAll("textarea[data-tev-counter]").forEach(startCounter);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
