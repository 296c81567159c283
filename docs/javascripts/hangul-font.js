// The Hangul fallback font (refnn.css) is fetched only on systems without a Korean font.
// Chromium may keep the text it laid out while that font was still loading as empty boxes;
// once a font has arrived, shape the page's text again (toggle a font property, then restore).
document.fonts.addEventListener("loadingdone", function () {
  var style = document.body.style;
  style.fontKerning = "none";
  void document.body.offsetHeight;
  style.fontKerning = "";
});
