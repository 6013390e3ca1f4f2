// Training records: a "find a person" box above the competence matrix's people table. It only
// hides the rows whose name does not match (nothing is sent or reloaded), and says how many are
// shown in a polite live region. Without JavaScript the whole table is simply there.
(function () {
    "use strict";

    function fold(text) {
        return text.toLocaleLowerCase("tr").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ı/g, "i");
    }

    function start() {
        document.querySelectorAll("[data-training-find]").forEach(function (holder) {
            var table = document.getElementById(holder.dataset.trainingFind);
            if (!table) {
                return;
            }
            var rows = Array.prototype.slice.call(table.tBodies[0].rows);
            var input = holder.querySelector("input");
            var status = holder.querySelector("[role=status]");
            var template = holder.dataset.trainingFindCount || "{shown} / {total}";
            holder.hidden = false;
            input.addEventListener("input", function () {
                var wanted = fold(input.value.trim());
                var shown = 0;
                rows.forEach(function (row) {
                    var name = row.querySelector("th[scope=row]");
                    var match = !wanted || (name && fold(name.textContent).indexOf(wanted) !== -1);
                    row.hidden = !match;
                    if (match) {
                        shown += 1;
                    }
                });
                status.textContent = wanted ? template.replace("{shown}", shown).replace("{total}", rows.length) : "";
            });
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
