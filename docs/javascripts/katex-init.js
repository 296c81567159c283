// Render the math that pymdownx.arithmatex (generic mode) leaves as \( \) and \[ \]
// inside .arithmatex elements, with the KaTeX files vendored under assets/katex.
document$.subscribe(function () {
  document.querySelectorAll(".arithmatex").forEach(function (el) {
    renderMathInElement(el, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true }
      ],
      throwOnError: false
    });
  });
});
