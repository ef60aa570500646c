import L from 'leaflet';
import {h, clear} from './dom.js';
import {t, kpiTitle} from './i18n.js';
import {state, subscribe} from './main.js';
import {badge, icon, fmt, rank, worstOf} from './status.js';
import {statusesOf, windowSelect} from './board.js';
import {exportButtons} from './export.js';

let win = null;

// mapView: one flag per location in the colour (and shape) of its worst indicator; selecting a flag opens
// all the location's indicators with links to the location page. Tiles come from console.tiles; when none
// can be loaded (no internet, a blocked server) the map falls back to a plain background with a graticule,
// where the flags stay exactly placed.
export function mapView(main) {
  win = win || state.meta.status_window;
  const notice = h('p', {class: 'notice', role: 'status', hidden: true});
  const el = h('div', {id: 'map', class: 'map', role: 'region', 'aria-label': t('mapTitle')});
  main.append(h('h1', {class: 'sr-only'}, t('mapTitle')),
    h('div', {class: 'controls'},
      h('label', {}, t('window'), windowSelect(win, (v) => { win = v; draw(); }, 'window')),
      exportButtons(() => ({kpi: state.meta.kpis.map((k) => k.name).join(','), window: win}), 'map')),
    notice, el);

  const map = L.map(el, {worldCopyJump: true, zoomSnap: 0.5, attributionControl: true});
  map.attributionControl.setPrefix('Leaflet');
  const plain = (why) => {
    el.classList.add('plain');
    notice.hidden = false;
    notice.textContent = why;
    graticule(map).addTo(map);
  };
  if (state.meta.tiles) {
    let loaded = 0, failed = 0;
    const tiles = L.tileLayer(state.meta.tiles, {attribution: state.meta.tiles_attribution, maxZoom: 19, crossOrigin: false});
    tiles.on('tileload', () => { loaded++; });
    tiles.on('tileerror', () => {
      failed++;
      if (loaded === 0 && failed === 4) {
        map.removeLayer(tiles);
        plain(t('plain', {h: new URL(state.meta.tiles.replace('{s}', 'a')).host}));
      }
    });
    tiles.addTo(map);
  } else {
    plain(t('plainNoTiles'));
  }

  const layer = L.layerGroup().addTo(map);
  let fitted = false;
  let openID = null;

  function draw() {
    const byLoc = statusesOf(win);
    layer.clearLayers();
    const pts = [];
    const sorted = [...state.locations].sort((a, b) => rank[worst(byLoc, a.id)] - rank[worst(byLoc, b.id)]); // worst drawn on top
    for (const l of sorted) {
      const sts = byLoc.get(l.id) || [];
      const flag = worst(byLoc, l.id);
      const html = h('span', {class: 'pin s-' + flag, 'data-location': l.id, 'data-status': flag}, icon(flag), h('span', {class: 'pin-label'}, l.name)).outerHTML;
      const m = L.marker([l.latitude, l.longitude], {
        icon: L.divIcon({className: 'flag-icon', html, iconSize: null, iconAnchor: [10, 10]}),
        title: l.name + ': ' + t('s_' + flag), alt: l.name + ': ' + t('s_' + flag), keyboard: true, riseOnHover: true,
        zIndexOffset: rank[flag] * 1000,
      });
      m.bindPopup(() => popup(l, sts, flag), {maxWidth: 360, minWidth: 240, autoPanPadding: [20, 20]});
      m.on('popupopen', () => { openID = l.id; });
      m.on('popupclose', () => { if (openID === l.id) openID = null; });
      m.addTo(layer);
      if (openID === l.id) m.openPopup();
      pts.push([l.latitude, l.longitude]);
    }
    if (!fitted) {
      if (pts.length) map.fitBounds(pts, {padding: [40, 40], maxZoom: 12});
      else map.setView([55.75, 37.6], 4);
      fitted = true;
    }
  }

  function popup(l, sts, flag) {
    return h('div', {class: 'popup', 'data-location': l.id},
      h('h2', {}, l.name), h('p', {}, badge(flag), ' ', l.region),
      h('ul', {class: 'popup-list'}, state.meta.kpis.map((k) => {
        const s = sts.find((x) => x.kpi === k.name);
        const st = s ? s.status : 'grey';
        return h('li', {'data-kpi': k.name, 'data-status': st},
          h('a', {href: '#/location/' + encodeURIComponent(l.id) + '?kpi=' + k.name + '&window=' + win},
            icon(st), h('span', {class: 'p-title'}, kpiTitle(k)), h('span', {class: 'p-value'}, fmt(k, s ? s.value : null)),
            h('span', {class: 'sr-only'}, ' ' + t('s_' + st))));
      })),
      h('a', {class: 'more', href: '#/location/' + encodeURIComponent(l.id)}, t('open') + ' →'));
  }

  draw();
  // Leaflet measures its container; the layout settles after the view is attached.
  setTimeout(() => map.invalidateSize(), 0);
  const unsub = subscribe(draw);
  return () => { unsub(); map.remove(); clear(main); };
}

const worst = (byLoc, id) => worstOf(byLoc.get(id) || []);

// graticule draws meridians and parallels, denser as the map zooms in (10°, 5°, 1°), so a map without
// tiles still shows where things lie relative to each other.
function graticule(map) {
  const g = L.layerGroup();
  const style = {color: '#8a9bb0', weight: 1, opacity: 0.6, interactive: false};
  const draw = () => {
    g.clearLayers();
    const z = map.getZoom();
    const step = z >= 7 ? 1 : z >= 4 ? 5 : 10;
    for (let lon = -180; lon <= 180; lon += step) g.addLayer(L.polyline([[-85, lon], [85, lon]], style));
    for (let lat = -80; lat <= 80; lat += step) g.addLayer(L.polyline([[lat, -180], [lat, 180]], style));
  };
  map.on('zoomend', draw);
  draw();
  return g;
}
