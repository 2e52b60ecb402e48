// The first screen before the map: the server sends the default story in
// the page (#story-json) with a drawing of it (#preview, inline SVG).
// This small script writes the headline and answers a click on a drawn
// trip, so the story is readable and interactive while MapLibre starts
// software WebGL; then it runs the map's script (app.js, from main.js),
// which removes the drawing once the map shows the same view.
import { headline, storyCamera, tripPopup } from './story.js';

try {
  first();
} finally {
  // Once the first screen is painted: the map's script then holds the
  // page for seconds in tasks of up to a second (parsing MapLibre,
  // compiling shaders in software), and a frame waits for them.
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    const app = document.createElement('script');
    app.type = 'module';
    app.src = '/app.js';
    document.head.append(app);
  };
  new PerformanceObserver((l) => { if (l.getEntriesByName('first-contentful-paint').length) start(); }).observe({ type: 'paint', buffered: true });
  setTimeout(start, 1000); // a page that paints nothing (no story) still gets its map
}

function first() {
  const data = document.getElementById('story-json');
  const preview = document.getElementById('preview');
  const st = data && JSON.parse(data.textContent);
  // A link to another view (a vessel, a place, other groups) is not what
  // the drawing shows.
  const h = new URLSearchParams(location.hash.slice(1));
  const other = h.has('v') || h.has('map') || (h.get('from') || 'RU-FE') !== st?.from || (h.get('to') || 'KP') !== st?.to;
  if (preview && (!st || other)) preview.remove();
  else if (st) {
    document.body.dataset.drawing = '1';
    headline(st);
    // The drawing shows what the map will: the trips framed as the map
    // frames them (storyCamera), the centre and scale kept when the
    // window changes, as the map keeps them. main.js starts the map on
    // this camera.
    const [ox, oy, k] = preview.dataset.merc.split(' ').map(Number);
    const cam = storyCamera(st.view, preview.clientWidth, preview.clientHeight);
    const place = () => {
      const W = preview.clientWidth, H = preview.clientHeight;
      preview.setAttribute('viewBox', [(cam.x - W / 2 / cam.s - ox) * k, (cam.y - H / 2 / cam.s - oy) * k, (W / cam.s) * k, (H / cam.s) * k].join(' '));
    };
    // Drawing units per screen pixel: text and dots keep their size on
    // screen at any scale, as the map's do (lines: non-scaling-stroke).
    preview.style.setProperty('--u', String(k / cam.s));
    preview.setAttribute('preserveAspectRatio', 'none'); // the view box has the element's own shape
    place();
    new ResizeObserver(place).observe(preview);
    preview.dataset.camera = JSON.stringify({ center: cam.center, zoom: cam.zoom });
    const box = document.createElement('div');
    box.id = 'preview-popup';
    box.hidden = true;
    preview.after(box);
    // Trips are drawn in the order of the story's tracks.
    const trips = [...preview.querySelectorAll('path.trip')];
    preview.addEventListener('click', (e) => {
      // How long the click waited for the page (the e2e test reports it).
      document.body.dataset.clickWait = String(Math.round(performance.now() - e.timeStamp));
      const i = trips.indexOf(e.target);
      box.hidden = i < 0;
      if (i < 0) return;
      box.innerHTML = tripPopup(st.tracks.features[i].properties, st.names);
      const r = preview.getBoundingClientRect();
      box.style.left = `${e.clientX - r.left + 12}px`;
      box.style.top = `${e.clientY - r.top}px`;
    });
    // The map's own popups replace this one.
    new MutationObserver(() => { if (!preview.isConnected) box.remove(); }).observe(preview.parentNode, { childList: true });
  }
  document.body.dataset.interactive = String(Math.round(performance.now()));
}
