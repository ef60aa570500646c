// jsdom cannot fetch SVG icons: render the icon's name instead (as the create-plugin scaffold does).
import React from 'react';

type Props = { src: string } & React.SVGProps<SVGSVGElement>;

export default function InlineSVG({ src }: Props) {
  const name = src.split('/').pop()?.replace('.svg', '') ?? '';
  return <svg data-testid={`icon-${name}`} />;
}
