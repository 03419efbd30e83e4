import { PNG } from 'pngjs';

import type { Strings } from './i18n.ts';

export interface Sample {
  /** 784 grey levels of a 28×28 image, either 0..1 or 0..255. */
  pixels: number[];
  label: number;
  predicted: number;
}

const cell = 84;
const imageSize = 56;
const columns = 8;
const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Draws test images in a grid as SVG, each with its predicted and true class; a misclassified
 * image gets a red frame and red text. The images are embedded as PNG, the text stays text.
 */
export function renderSampleGrid(
  samples: Sample[],
  classNames: string[],
  text: Strings,
  font: string,
): string {
  const rows = Math.ceil(samples.length / columns);
  const width = columns * cell;
  const height = rows * (cell + 18) + 24;
  const parts: string[] = [];
  samples.forEach((sample, index) => {
    const x = (index % columns) * cell + (cell - imageSize) / 2;
    const y = Math.floor(index / columns) * (cell + 18) + 4;
    const wrong = sample.label !== sample.predicted;
    const color = wrong ? '#c62828' : '#333333';
    const predicted = classNames[sample.predicted] ?? String(sample.predicted);
    const actual = classNames[sample.label] ?? String(sample.label);
    parts.push(
      `<image x="${x}" y="${y}" width="${imageSize}" height="${imageSize}" href="${toPngDataUri(sample.pixels)}" style="image-rendering:pixelated"/>`,
      `<rect x="${x - 1}" y="${y - 1}" width="${imageSize + 2}" height="${imageSize + 2}" fill="none" stroke="${color}" stroke-width="${wrong ? 3 : 1}"/>`,
      `<text x="${x + imageSize / 2}" y="${y + imageSize + 13}" font-size="10" text-anchor="middle" fill="${color}">${escapeXml(predicted)}</text>`,
      `<text x="${x + imageSize / 2}" y="${y + imageSize + 26}" font-size="9" text-anchor="middle" fill="#777777">${escapeXml(actual)}</text>`,
    );
  });
  const legend = `<text x="4" y="${height - 6}" font-size="10" fill="#333333">${escapeXml(
    `${text.predictedLabel} / ${text.trueLabel}; `,
  )}<tspan fill="#c62828">${escapeXml(text.misclassified)}</tspan></text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${font}">${parts.join('')}${legend}</svg>`;
}

function toPngDataUri(pixels: number[]): string {
  const png = new PNG({ width: 28, height: 28 });
  const scale = Math.max(...pixels) <= 1 ? 255 : 1;
  for (let i = 0; i < 784; i++) {
    // Dark ink on white paper reads better in print than the dataset's white on black.
    const level = 255 - Math.round((pixels[i] ?? 0) * scale);
    png.data[i * 4] = level;
    png.data[i * 4 + 1] = level;
    png.data[i * 4 + 2] = level;
    png.data[i * 4 + 3] = 255;
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}
